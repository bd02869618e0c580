export { type AttachmentHttpServices, createAttachmentHandler } from "./routes";
