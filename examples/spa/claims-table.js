// @ts-check
/** Renders claims as table rows, through textContent only: a claim's value is never markup. */

/** Claims that are Unix seconds (OIDC Core §2, §5.1), shown as dates. */
const TIMES = new Set(['auth_time', 'iat', 'exp', 'nbf', 'updated_at']);

/** @param {string} name @param {unknown} value */
const display = (name, value) => {
  if (TIMES.has(name) && typeof value === 'number') {
    return new Date(value * 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC');
  }
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
};

/**
 * Replaces the table body's rows with one row per claim: its name, then its value.
 * @param {HTMLElement} table @param {Record<string, unknown>} claims
 */
export const showClaims = (table, claims) => {
  const body = document.createElement('tbody');
  for (const [name, value] of Object.entries(claims)) {
    const row = body.insertRow();
    const header = document.createElement('th');
    header.scope = 'row';
    header.textContent = name;
    row.append(header);
    row.insertCell().textContent = display(name, value);
  }
  table.querySelector('tbody')?.remove();
  table.append(body);
};
