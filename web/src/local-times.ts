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

/** Minutes east of UTC, now (getTimezoneOffset counts the other way). */
const sendTimeZoneOffset = () => {
  for (const input of document.querySelectorAll<HTMLInputElement>('input[data-time-zone-offset]')) {
    input.value = String(-new Date().getTimezoneOffset());
  }
};

showLocalTimes();
sendTimeZoneOffset();
