// The official OpenAI Node client, unmodified, against a running codeloom
// serve: CODELOOM_URL (e.g. http://127.0.0.1:8000), CODELOOM_API_KEY if the
// server has keys, CODELOOM_MODEL (default "tiny").
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";

const base = process.env.CODELOOM_URL;
const model = process.env.CODELOOM_MODEL || "tiny";
const client = new OpenAI({ baseURL: base + "/v1", apiKey: process.env.CODELOOM_API_KEY || "none", maxRetries: 0 });

test("models.list", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.ok(ids.includes(model), `models ${ids}`);
});

test("completions.create", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const r = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 12, temperature: 0, seed: 1, stop: ["zzz"] });
  assert.equal(r.object, "text_completion");
  assert.equal(r.choices.length, 1);
  assert.ok(r.choices[0].text.length > 0);
  assert.equal(r.choices[0].finish_reason, "length");
  assert.equal(r.usage.completion_tokens, 12);
});

test("chat.completions.create", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Tell a story" }], max_tokens: 8, temperature: 0 });
  assert.equal(r.object, "chat.completion");
  assert.equal(r.choices[0].message.role, "assistant");
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.usage.completion_tokens, 8);
});

test("chat streaming with usage", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const messages = [{ role: "user", content: "Tell a story" }];
  const whole = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0 });
  const stream = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0, stream: true,
    stream_options: { include_usage: true } });
  let text = "", chunks = 0, usage = null, finish = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta.content || "";
      finish = c.finish_reason || finish;
    }
  }
  assert.ok(chunks > 2, `${chunks} chunks`);
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, "length");
  assert.equal(usage.completion_tokens, 16);
});

test("errors reach the client as API errors", { skip: !base && "CODELOOM_URL not set" }, async () => {
  await assert.rejects(client.completions.create({ model: "no-such-model", prompt: "x" }), (e) => {
    assert.equal(e.status, 404);
    assert.match(e.message, /not found/);
    return true;
  });
});

test("models.retrieve", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const m = await client.models.retrieve(model);
  assert.equal(m.id, model);
  await assert.rejects(client.models.retrieve("no-such-model"), (e) => e.status === 404);
});

test("embeddings.create", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const r = await client.embeddings.create({ model, input: ["Once upon a time", "There was a dog"] });
  assert.equal(r.data.length, 2);
  const [a, b] = r.data.map((d) => d.embedding);
  assert.ok(a.length > 0 && a.length === b.length, `widths ${a.length}, ${b.length}`);
  const norm = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
  const again = await client.embeddings.create({ model, input: "Once upon a time" });
  assert.deepEqual(again.data[0].embedding, a);
});

test("completions with logprobs, echo and a prompt array", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const r = await client.completions.create({ model, prompt: ["Once upon a time", "The dog"], max_tokens: 6, temperature: 0, logprobs: 2 });
  assert.equal(r.choices.length, 2);
  assert.deepEqual(r.choices.map((c) => c.index).sort(), [0, 1]);
  for (const c of r.choices) {
    assert.equal(c.logprobs.tokens.length, 6);
    assert.ok(c.logprobs.token_logprobs.every((p) => p <= 0));
  }
  const e = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 4, temperature: 0, echo: true });
  assert.ok(e.choices[0].text.startsWith("Once upon a time"), e.choices[0].text);
});

test("chat with a JSON schema and top_logprobs", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const schema = { type: "object", properties: { answer: { type: "string", enum: ["yes", "no"] } }, required: ["answer"] };
  const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: "yes or no?" }], max_tokens: 32,
    temperature: 0, response_format: { type: "json_schema", json_schema: { name: "a", schema } }, logprobs: true, top_logprobs: 2 });
  const parsed = JSON.parse(r.choices[0].message.content);
  assert.ok(["yes", "no"].includes(parsed.answer), r.choices[0].message.content);
  assert.ok(r.choices[0].logprobs.content.length > 0);
  assert.ok(r.choices[0].logprobs.content.every((t) => t.top_logprobs.length === 2));
});

test("fields the server does not implement are refused by name", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const tools = [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }];
  await assert.rejects(client.chat.completions.create({ model, messages: [{ role: "user", content: "x" }], tools }), (e) => {
    assert.equal(e.status, 400);
    assert.match(e.message, /tools/);
    return true;
  });
});
