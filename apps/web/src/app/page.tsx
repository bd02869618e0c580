import { redirect } from "next/navigation";

// The chat shell decides between the inbox and the sign-in page once it knows who is calling.
export default function Home() {
  redirect("/chat");
}
