import { createStorage, readStorageEnv } from "@parley/storage";
import { startS3TestServer } from "@parley/storage/testing";
import { attachmentApiSuite } from "./attachment-api-suite";

// The production configuration: STORAGE_DRIVER=s3 against a real S3-compatible server (s3rver in its
// own process, SigV4-signed requests over HTTP), under a key prefix.
attachmentApiSuite("S3", async () => {
  const server = await startS3TestServer("parley-api");
  const env = {
    STORAGE_DRIVER: "s3",
    STORAGE_S3_BUCKET: server.bucket,
    STORAGE_S3_ENDPOINT: server.endpoint,
    STORAGE_S3_REGION: "us-east-1",
    STORAGE_S3_ACCESS_KEY_ID: server.accessKeyId,
    STORAGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
    STORAGE_S3_PREFIX: "api-test",
  };
  const bucket = createStorage(readStorageEnv(env));
  return {
    env,
    holds: async (key: string) => (await bucket.head(key)) !== null,
    stop: () => server.stop(),
  };
});
