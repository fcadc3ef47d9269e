import type { SessionRecord } from '../../core/shared/store';
import type { UserRecord } from '../../core/users/users';
import type {
  PipelineMiddleware,
  PipelineRequest,
  PipelineState,
} from '../../http/middleware/state';

/** What the page middlewares add to the pipeline's findings. */
export interface PageState extends PipelineState {
  /** Cookies to set on the answer, whatever it is (CSRF, sign-in, sign-out). */
  setCookies?: string[];
  /** The POSTed form; empty on GET. */
  form?: URLSearchParams;
  page?: { routeKey: string; params: Record<string, string> };
  csrf?: string;
  signedIn?: { user: UserRecord; session: SessionRecord } | null;
}

export type PageMiddleware = PipelineMiddleware<PageState>;
export type PagePipelineRequest = PipelineRequest<PageState>;

/** Pages are served over https unless the issuer is a local http one. */
export const isSecure = (request: PagePipelineRequest) =>
  request.internal.deps?.config.issuerUrl.startsWith('https:') ?? false;
