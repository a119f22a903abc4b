import type { Request, Response } from "express";
import { describe, expect, it } from "vitest";
import { sendFreshWithEtag, sendWithEtag } from "./conditional.js";

/** What a response was given: its headers, status and body. */
function recordingResponse() {
  const sent = { headers: new Map<string, unknown>(), status: 200, body: undefined as Buffer | undefined };
  const res = {
    setHeader(name: string, value: unknown) {
      sent.headers.set(name.toLowerCase(), value);
      return res;
    },
    status(code: number) {
      sent.status = code;
      return res;
    },
    end(body?: Buffer) {
      sent.body = body;
      return res;
    },
  };
  return { res: res as unknown as Response, sent };
}

const requestWith = (ifNoneMatch?: string) => ({ headers: ifNoneMatch ? { "if-none-match": ifNoneMatch } : {} }) as Request;

/** A body that counts how often it is serialized. */
function countingBody() {
  const body = {
    renders: 0,
    toJSON() {
      body.renders++;
      return { id: "a" };
    },
  };
  return body;
}

describe("sendWithEtag", () => {
  it("answers 304 with the given ETag without rendering the body", () => {
    const body = countingBody();
    const { res, sent } = recordingResponse();
    sendWithEtag(requestWith('"given"'), res, body, '"given"');
    expect(sent.status).toBe(304);
    expect(sent.headers.get("etag")).toBe('"given"');
    expect(sent.body).toBeUndefined();
    expect(body.renders).toBe(0);
  });

  it("sends the body under the given ETag, rendered once per object", () => {
    const body = countingBody();
    for (let i = 0; i < 2; i++) {
      const { res, sent } = recordingResponse();
      sendWithEtag(requestWith('"other"'), res, body, '"given"');
      expect(sent.status).toBe(200);
      expect(sent.headers.get("etag")).toBe('"given"');
      expect(sent.body?.toString()).toBe('{"id":"a"}');
    }
    expect(body.renders).toBe(1);
  });

  it("answers 304 when If-None-Match names the ETag of the body's bytes", () => {
    const first = recordingResponse();
    sendWithEtag(requestWith(), first.res, { id: "a" });
    const etag = first.sent.headers.get("etag") as string;
    const second = recordingResponse();
    sendWithEtag(requestWith(`W/${etag}`), second.res, { id: "a" });
    expect(second.sent.status).toBe(304);
    expect(second.sent.headers.get("etag")).toBe(etag);
  });
});

describe("sendFreshWithEtag", () => {
  it("renders the body on every call, with the same ETag sendWithEtag gives it", () => {
    const body = countingBody();
    const fresh = recordingResponse();
    sendFreshWithEtag(requestWith(), fresh.res, body);
    sendFreshWithEtag(requestWith(), recordingResponse().res, body);
    expect(body.renders).toBe(2);
    const cached = recordingResponse();
    sendWithEtag(requestWith(), cached.res, { id: "a" });
    expect(fresh.sent.headers.get("etag")).toBe(cached.sent.headers.get("etag"));
    expect(fresh.sent.body?.toString()).toBe('{"id":"a"}');
  });
});
