export {
  CHANGES_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  INBOX_SCAN_LIMIT,
  MAX_GROUP_MEMBERS,
  MAX_MEMBERS_PER_CHANGE,
  MAX_PAGE_SIZE,
  RECEIPT_MAX_MEMBERS,
} from "./limits";
export { enforceLookupRateLimit } from "./rate-limit";
