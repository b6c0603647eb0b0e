/**
 * Loaded by mocha before any test (see .mocharc.json). Tests must not pick up the developer's
 * own Alibaba Cloud credentials, and the default credential chain must never try the ECS
 * metadata service: nothing here may send traffic off this machine.
 */
for (const name of Object.keys(process.env)) {
  if (/^(ALIBABA_CLOUD_|ALICLOUD_|SMARTAG_)/.test(name)) delete process.env[name];
}
process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = "true";
process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = "/nonexistent/pulumi-smartag-test-credentials";
