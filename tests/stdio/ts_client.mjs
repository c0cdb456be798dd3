// A TypeScript SDK host for `manage.py mcp_stdio`: `node ts_client.mjs <v1|v2> <legacy|modern>`.
// MCP_TOOLS is the npm prefix holding the SDKs; MCP_STDIO_MAIN and MCP_STDIO_FIXTURES are the
// JSON {command, args, env, cwd} of the two children it starts (StdioClientTransport). It
// lists and calls tools, collects progress and logs, answers an elicitation, reads a
// resource, cancels a long call, and prints what it saw as one JSON line.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [sdk, mode] = process.argv.slice(2);
const modules = join(process.env.MCP_TOOLS, "node_modules", "@modelcontextprotocol");
const load = (path) => import(pathToFileURL(join(modules, path)).href);

async function sdkParts() {
  if (sdk === "v1") {
    const { Client } = await load("sdk/dist/esm/client/index.js");
    const { StdioClientTransport } = await load("sdk/dist/esm/client/stdio.js");
    const types = await load("sdk/dist/esm/types.js");
    return { Client, StdioClientTransport, elicit: types.ElicitRequestSchema,
             log: types.LoggingMessageNotificationSchema,
             call: (client, params, options) => client.callTool(params, undefined, options) };
  }
  const { Client } = await load("client/dist/index.mjs");
  const { StdioClientTransport } = await load("client/dist/stdio.mjs");
  return { Client, StdioClientTransport, elicit: "elicitation/create",
           log: "notifications/message",
           call: (client, params, options) => client.callTool(params, options) };
}

async function connect(parts, child, seen) {
  const options = { capabilities: { elicitation: {} } };
  if (mode === "modern") options.versionNegotiation = { mode: { pin: "2026-07-28" } };
  const client = new parts.Client({ name: `ts-${sdk}`, version: "1.0.0" }, options);
  client.setRequestHandler(parts.elicit, async (request) => {
    seen.elicited.push(request.params.message);
    return { action: "accept", content: { username: "ada", email: "ada@example.com" } };
  });
  client.setNotificationHandler(parts.log, async (notification) => {
    seen.logs.push(notification.params.data);
  });
  await client.connect(new parts.StdioClientTransport({ ...child, stderr: "ignore" }));
  return client;
}

const text = (result) => result.content[0].text;
const logged = mode === "modern" ? { _meta: { "io.modelcontextprotocol/logLevel": "info" } } : {};

async function exercise(parts, seen) {
  const client = await connect(parts, JSON.parse(process.env.MCP_STDIO_MAIN), seen);
  seen.version = client.getNegotiatedProtocolVersion?.() ?? null;
  seen.tools = (await client.listTools()).tools.map((tool) => tool.name);
  seen.echo = text(await parts.call(client, { name: "echo", arguments: { text: "hi" } }));
  const progressed = await parts.call(client, { name: "test_tool_with_progress", arguments: {} },
    { onprogress: (progress) => seen.progress.push(progress.progress) });
  seen.progressText = text(progressed);
  if (mode === "legacy") await client.setLoggingLevel("info");
  seen.logText = text(await parts.call(client,
    { name: "test_tool_with_logging", arguments: {}, ...logged }));
  seen.elicitText = text(await parts.call(client,
    { name: "test_elicitation", arguments: { message: "Who are you?" } }));
  const read = await client.readResource({ uri: "test://static-text" });
  seen.resource = read.contents[0].text;
  await client.close();
}

async function cancel(parts, seen) {
  const child = JSON.parse(process.env.MCP_STDIO_FIXTURES);
  const client = await connect(parts, child, seen);
  const marker = process.env.MCP_STDIO_MARKER;
  const controller = new AbortController();
  try {
    await parts.call(client, { name: "ticking", arguments: { marker } },
      { signal: controller.signal, onprogress: () => controller.abort("enough") });
    seen.cancel = "answered";
  } catch (error) {
    seen.cancel = "aborted";
  }
  seen.afterCancel = text(await parts.call(client, { name: "whoami", arguments: {} }));
  seen.marker = existsSync(marker) ? readFileSync(marker, "utf8") : null;
  await client.close();
}

const seen = { sdk, mode, logs: [], progress: [], elicited: [] };
const parts = await sdkParts();
await exercise(parts, seen);
await cancel(parts, seen);
process.stdout.write(JSON.stringify(seen) + "\n");
