// The emulator CLI's STS listener: --sts-cert and --sts-key together serve it over HTTPS and
// print its address on a second line; either alone is a usage error.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";

const bin = join(resolve(__dirname, "..", ".."), "bin", "smartag-emulator");

describe("emulator CLI with the STS stand-in", () => {
  let certificate: TestCertificate;
  before(() => {
    certificate = makeTestCertificate();
  });
  after(() => certificate.remove());

  it("prints SMARTAG_STS_ENDPOINT and answers STS over HTTPS with that certificate", async () => {
    const child = spawn(
      process.execPath,
      [bin, "--sts-cert", certificate.certFile, "--sts-key", certificate.keyFile],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) {
        lines.push(line);
        if (lines.length === 2) break;
      }
      assert.match(lines[0] as string, /^SMARTAG_ENDPOINT=http:\/\/127\.0\.0\.1:\d+$/);
      const sts = /^SMARTAG_STS_ENDPOINT=(127\.0\.0\.1):(\d+)$/.exec(lines[1] as string);
      assert.ok(sts, lines[1]);
      const answer = await new Promise<{ status: number; body: string }>((done, fail) => {
        const req = request(
          {
            host: sts[1],
            port: sts[2],
            method: "POST",
            path: "/?Action=AssumeRole&Format=JSON",
            ca: certificate.cert,
          },
          (res) => {
            let body = "";
            res.on("data", (c: Buffer) => {
              body += c.toString();
            });
            res.on("end", () => done({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", fail);
        req.end();
      });
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).Code, "MissingVersion");
    } finally {
      child.kill("SIGTERM");
      await once(child, "close");
    }
  });

  it("refuses --sts-cert without --sts-key, with exit code 2", () => {
    const r = spawnSync(process.execPath, [bin, "--sts-cert", certificate.certFile], {
      encoding: "utf8",
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--sts-cert and --sts-key go together/);
    assert.equal(r.stdout, "");
  });
});
