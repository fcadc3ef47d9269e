import type { PageMiddleware, PagePipelineRequest } from './page-state';

const addCookies = async ({ response, internal }: PagePipelineRequest) => {
  if (!response) return;
  const all = [...(response.cookies ?? []), ...(internal.setCookies ?? [])];
  if (all.length) response.cookies = all;
};

/** The cookies middlewares and actions asked for, on every answer: a page, a redirect, an error. */
export const pageCookies = (): PageMiddleware => ({
  before: async ({ internal }) => {
    internal.setCookies = [];
  },
  after: addCookies,
  onError: addCookies,
});
