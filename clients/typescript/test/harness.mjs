// Starts a real Herald for the integration tests: the herald binary (built
// with go build), a private redis-server on a unix socket, `herald
// sandbox`, `herald api` and `herald worker`, with a local receiver for
// the worker's webhooks. Everything lives in a temp dir and stops in
// stop().
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../../", import.meta.url));

/** Why the integration tests cannot run here, or undefined when they can. */
export function missingTools() {
  for (const tool of ["go", "redis-server"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Resolves once check() does, polling every 50 ms until deadline. */
export async function eventually(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function redisAnswers(socket) {
  return new Promise((resolve) => {
    const c = net.connect(socket, () => c.write("PING\r\n"));
    c.on("data", (d) => (c.destroy(), resolve(d.toString().startsWith("+PONG"))));
    c.on("error", () => resolve(false));
  });
}

/** Starts everything; returns the API's URL and key, the webhook secret, the deliveries and stop(). */
export async function startHerald() {
  const dir = mkdtempSync(join(tmpdir(), "herald-ts-it-"));
  const procs = [];
  const logs = new Map();
  const deliveries = [];
  let hook;
  const stop = async () => {
    for (const p of procs.reverse()) {
      if (p.exitCode === null) {
        p.kill("SIGTERM");
        await new Promise((r) => p.once("exit", r));
      }
    }
    if (hook) await new Promise((r) => hook.close(r));
    rmSync(dir, { recursive: true, force: true });
  };
  const start = (name, cmd, args, env) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    logs.set(name, "");
    const keep = (d) => logs.set(name, (logs.get(name) + d).slice(-8000));
    p.stdout.on("data", keep);
    p.stderr.on("data", keep);
    procs.push(p);
    return p;
  };
  try {
    const bin = join(dir, "herald");
    const build = spawnSync("go", ["build", "-o", bin, "./cmd/herald"], { cwd: repo, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`go build: ${build.stderr}`);

    const socket = join(dir, "redis.sock");
    start("redis", "redis-server", ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", dir]);
    await eventually("redis-server", () => existsSync(socket) && redisAnswers(socket));

    hook = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        deliveries.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
        res.writeHead(204).end();
      });
    });
    await new Promise((r) => hook.listen(0, "127.0.0.1", r));

    const [apiPort, sandboxPort] = [await freePort(), await freePort()];
    const apiKey = randomBytes(24).toString("hex");
    const webhookSecret = randomBytes(24).toString("hex");
    const env = {
      HERALD_REDIS_URL: `unix://${socket}`,
      HERALD_LOG_FORMAT: "text",
      HERALD_LOG_LEVEL: "warn",
      HERALD_TOKEN_KEYS: `ts:${randomBytes(32).toString("base64")}`,
      HERALD_API_TOKENS: `ts:${apiKey}`,
      HERALD_API_ADDR: `127.0.0.1:${apiPort}`,
      HERALD_SANDBOX_URL: `http://127.0.0.1:${sandboxPort}`,
      HERALD_WORKER_METRICS_ADDR: "",
      HERALD_WORKER_SHUTDOWN_TIMEOUT: "2s",
      HERALD_WEBHOOKS: `ts=http://127.0.0.1:${hook.address().port}/hook`,
      HERALD_WEBHOOK_SECRETS: `ts=${webhookSecret}`,
    };
    start("sandbox", bin, ["sandbox", "--addr", `127.0.0.1:${sandboxPort}`], env);
    start("api", bin, ["api"], env);
    start("worker", bin, ["worker"], env);
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    await eventually("herald api /readyz", async () => {
      for (const p of procs) if (p.exitCode !== null) throw new Error(`a process exited: ${[...logs].map(([n, l]) => `${n}: ${l}`).join("\n")}`);
      return (await fetch(`${baseUrl}/readyz`)).ok;
    });
    return { baseUrl, apiKey, webhookSecret, deliveries, logs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
