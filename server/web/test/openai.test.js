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
