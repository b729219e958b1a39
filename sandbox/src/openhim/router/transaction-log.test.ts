import { BodyBudget, escapeHeaderKeys } from './transaction-log';

describe('the transaction log', () => {
  it("escapes the first '.' and '$' of header names, as core does for MongoDB", () => {
    expect(escapeHeaderKeys({ 'x.a.b': '1', $x: '2', plain: ['a', 'b'] })).toEqual({
      'x\uff0ea.b': '1',
      '\uff04x': '2',
      plain: ['a', 'b'],
    });
  });

  it('cuts the bodies of one transaction past 15 MiB with "[truncated ...]"', () => {
    const budget = new BodyBudget();
    const big = 'x'.repeat(10 * 1024 * 1024);
    expect(budget.take(big)).toEqual({ body: big, truncated: false });
    const second = budget.take(big);
    expect(second.truncated).toBe(true);
    expect(second.body.endsWith('\n[truncated ...]')).toBe(true);
    expect(Buffer.byteLength(second.body)).toBe(5 * 1024 * 1024);
    expect(budget.take('more')).toEqual({ body: '\n[truncated ...]', truncated: true });
  });
});
