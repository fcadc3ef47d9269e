/** The MFA grant (API.md, MFA): never registered; any client allowed `password` may use it. */
export const MFA_GRANT_TYPE = 'urn:gatehouse:grant-type:mfa';
