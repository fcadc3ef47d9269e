import { html } from '../html';

/** The codes, shown once: copy, or download as a file made in the browser (a data: link). */
export const recoveryCodesBody = (codes: string[]) => {
  const text = `${codes.join('\n')}\n`;
  return html`<div class="notice secret" role="status">
<p>Your recovery codes. Each signs you in once if you lose your authenticator app or security
key. Keep them somewhere safe: they are shown this once.</p>
<pre id="recovery-codes">${text}</pre>
<p><button type="button" data-copy="#recovery-codes">Copy</button>
<a download="gatehouse-recovery-codes.txt" href="data:text/plain;charset=utf-8,${encodeURIComponent(text)}">Download</a></p>
</div>
<p><a href="/console">Back to your account</a></p>`;
};
