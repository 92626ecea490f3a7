export const CLOCK = Symbol('Clock');
export type Clock = () => Date;
