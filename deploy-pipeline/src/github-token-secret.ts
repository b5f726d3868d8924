/** The JSON field of the token secret that holds the complete `Authorization` header value. */
export const GITHUB_TOKEN_SECRET_FIELD = 'authorization';
