export { API_VERSION, MAX_USER_NAMES, USER_NAME_PATTERN } from "./actions";
export { TIMESTAMP_WINDOW_MS } from "./auth";
export { ApiError, type ErrorBody } from "./errors";
export { FaultSpecError, type Faults, parseFaultSpec, validateFaults } from "./faults";
export {
  type AccessKey,
  defaultFixturePath,
  type Fixture,
  FixtureError,
  loadDefaultFixture,
  loadFixtureFile,
  parseFixture,
} from "./fixture";
export {
  type EmulatorOptions,
  type RecordedRequest,
  type RunningEmulator,
  startEmulator,
} from "./server";
export { canonicalQuery, computeSignature, percentEncode, stringToSign } from "./signature";
