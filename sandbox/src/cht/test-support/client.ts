// A small HTTP client for tests against the running stand-in (real requests over loopback).
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export const ADMIN = basic('medic', 'password');

export interface CallOptions {
  body?: unknown;
  auth?: string | null;
  contentType?: string;
  accept?: string | null;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.accept !== null) headers.accept = options.accept ?? 'application/json';
  if (options.auth !== null) headers.authorization = options.auth ?? ADMIN;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
