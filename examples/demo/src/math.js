export function sum(numbers) {
  return numbers.reduce((total, value) => total + value, 0);
}

export function mean(numbers) {
  if (numbers.length === 0) throw new RangeError('mean of no numbers');
  return sum(numbers) / numbers.length;
}
