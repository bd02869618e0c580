import { z } from "zod";

const ZDbEnv = z.object({
  DATABASE_URL: z.string().url().default("mysql://root@127.0.0.1:3306/parley"),
});

export function readDbEnv(source: Record<string, string | undefined> = process.env) {
  const parsed = ZDbEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid environment: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}
