// Micro-survey answers in words, for the dashboard and the overlay's panel (one wording for
// both): "Survey 'broken': 12 yes, 30 no" or "Survey 'rate': 4.2 of 5 on average (20 ratings)".
// `s` is one survey of GET /api/surveys or /api/dashboard: {survey, answers: {yes, no, 1..5}, total}.
export function answersText(a = {}) {
  const parts = [];
  if ('yes' in a || 'no' in a) parts.push(`${a.yes || 0} yes, ${a.no || 0} no`);
  let n = 0, sum = 0;
  for (let r = 1; r <= 5; r++) {
    n += a[r] || 0;
    sum += r * (a[r] || 0);
  }
  if (n) parts.push(`${(sum / n).toFixed(1)} of 5 on average (${n} rating${n === 1 ? '' : 's'})`);
  return parts.join('; ') || 'no answers';
}

export const surveyText = (s) => `Survey '${s.survey}': ${answersText(s.answers)}`;
