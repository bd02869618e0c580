import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { TrpcReactProvider } from "~/trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Parley",
  description: "Chat, synced to every device.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: "#4f46e5",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcReactProvider>{children}</TrpcReactProvider>
      </body>
    </html>
  );
}
