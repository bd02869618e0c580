import type { RouterOutputs } from "~/trpc/types";

/** A person as user.byIds answers: what names and avatars are drawn from. */
export type Profile = RouterOutputs["user"]["byIds"][number];
