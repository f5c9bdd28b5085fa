/**
 * Errors with a code, a message a person understands and the field at fault. The filter turns
 * them (and library errors) into `{ "error": { "code", "message", "field"? } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (field: string, message: string) =>
  new ApiError(400, 'invalid_request', `${field}: ${message}`, field);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
