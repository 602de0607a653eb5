/** A shape. */
export interface Shape {
  area(): number;
}

export abstract class Base<T> {
  abstract name(): string;

  /**
   * Describes the shape.
   */
  describe(prefix: string): string {
    return prefix + this.name();
  }
}

export class Circle extends Base<number> implements Shape {
  constructor(private r: number) {
    super();
  }

  area(): number {
    return Math.PI * this.r ** 2;
  }
}

/** Sums values. */
export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function overload(a: string): string;
function overload(a: any): any {
  return a;
}
