/**
 * Times in the viewer's zone: the server writes `<time datetime="ISO" title="… UTC">` in UTC
 * (console-shared.ts timeTag); this rewrites the text on one line, e.g. "7 Dec 2026, 04:12:09",
 * and the title keeps the UTC value. Forms with `[data-time-zone-offset]` send the zone's
 * offset, so their `datetime-local` fields are read in this zone too.
 */
const localTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

const showLocalTimes = () => {
  for (const time of document.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
    const at = new Date(time.dateTime);
    if (Number.isNaN(at.getTime())) continue;
    time.textContent = localTime.format(at);
  }
};

/** `YYYY-MM-DDTHH:MM` moved by `minutes` (read and written as if UTC: only the shift counts). */
const shifted = (value: string, minutes: number) =>
  new Date(Date.parse(`${value}Z`) + minutes * 60_000).toISOString().slice(0, 16);

/**
 * Sends this zone's offset (minutes east of UTC; getTimezoneOffset counts the other way). A
 * link made in another zone (or without scripts: UTC) carries its own: its times move here.
 */
const sendTimeZoneOffset = () => {
  const local = -new Date().getTimezoneOffset();
  for (const input of document.querySelectorAll<HTMLInputElement>('input[data-time-zone-offset]')) {
    const given = input.value === '' ? 0 : Number(input.value);
    const fields = input.form?.querySelectorAll<HTMLInputElement>('input[type="datetime-local"]');
    for (const field of fields ?? []) {
      if (field.value && Number.isFinite(given) && given !== local) {
        field.value = shifted(field.value.slice(0, 16), local - given);
      }
    }
    input.value = String(local);
  }
};

showLocalTimes();
sendTimeZoneOffset();
