/**
 * The part of k6's JavaScript API (v1.8) the load scripts use, so that `npm run lint` type-checks
 * them like the rest of the repository. k6 itself runs the .ts files directly (it strips the types).
 */
declare const __ENV: Record<string, string | undefined>;
declare const __VU: number;
declare const __ITER: number;

declare module 'k6' {
  export type Checkers<T> = Record<string, (value: T) => boolean>;
  export function check<T>(value: T, checkers: Checkers<T>, tags?: Record<string, string>): boolean;
  export function sleep(seconds: number): void;
  export function fail(reason?: string): never;
}

declare module 'k6/http' {
  export interface RefinedResponse {
    status: number;
    body: string | null;
    headers: Record<string, string>;
    error: string;
    error_code: number;
    timings: { duration: number; waiting: number };
    json(selector?: string): unknown;
  }
  export interface Params {
    headers?: Record<string, string>;
    tags?: Record<string, string>;
    timeout?: string | number;
    responseCallback?: unknown;
  }
  interface Http {
    request(method: string, url: string, body?: string | null, params?: Params): RefinedResponse;
    get(url: string, params?: Params): RefinedResponse;
    post(url: string, body?: string | null, params?: Params): RefinedResponse;
    del(url: string, body?: string | null, params?: Params): RefinedResponse;
  }
  const http: Http;
  export default http;
}

declare module 'k6/crypto' {
  export function hmac(algorithm: 'sha256', secret: string, data: string, encoding: 'hex'): string;
}

declare module 'k6/metrics' {
  export class Counter {
    constructor(name: string);
    add(value: number, tags?: Record<string, string>): void;
  }
  export class Rate {
    constructor(name: string);
    add(value: boolean | number, tags?: Record<string, string>): void;
  }
  export class Trend {
    constructor(name: string, isTime?: boolean);
    add(value: number, tags?: Record<string, string>): void;
  }
}

declare module 'k6/websockets' {
  export interface MessageEvent {
    data: string;
  }
  export interface CloseEvent {
    code: number;
    reason: string;
  }
  export interface ErrorEvent {
    error: string;
  }
  export class WebSocket {
    constructor(url: string);
    readonly readyState: number;
    onopen: (() => void) | null;
    onmessage: ((event: MessageEvent) => void) | null;
    onclose: ((event: CloseEvent) => void) | null;
    onerror: ((event: ErrorEvent) => void) | null;
    send(data: string): void;
    close(code?: number): void;
  }
}

declare module 'k6/timers' {
  export function setTimeout(callback: () => void, delayMs: number): number;
  export function clearTimeout(id: number): void;
}
