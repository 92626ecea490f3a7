type Param = (value: unknown) => string;

/** A WHERE clause built from optional filters, every value passed as a parameter, never spliced in. */
export class SqlConditions {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(condition: (param: Param) => string): this {
    this.conditions.push(condition((value) => this.param(value)));
    return this;
  }

  sql(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }
}
