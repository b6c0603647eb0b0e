export {
  API_VERSION,
  GENERATED_ONLINE_TIME,
  MAX_PAGE_SIZE,
  MAX_USER_NAMES,
  USER_NAME_PATTERN,
} from "./actions";
export { MAX_NONCE_LENGTH, TIMESTAMP_WINDOW_MS } from "./auth";
export { ApiError, type ErrorBody } from "./errors";
export {
  FaultSpecError,
  type Faults,
  MAX_LATENCY_MS,
  parseFaultSpec,
  validateFaults,
} from "./faults";
export {
  type AccessKey,
  defaultFixturePath,
  type Fixture,
  FixtureError,
  type FixtureUser,
  loadDefaultFixture,
  loadFixtureFile,
  onlineCountOf,
  parseFixture,
} from "./fixture";
export { MAX_NONCES } from "./nonces";
export {
  type EmulatorOptions,
  type RecordedRequest,
  type RunningEmulator,
  startEmulator,
} from "./server";
export { canonicalQuery, computeSignature, percentEncode, stringToSign } from "./signature";
