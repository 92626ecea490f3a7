import { Logger } from '@nestjs/common';
import { answerOrClose } from './problem.filter';

describe('answering an error', () => {
  it('closes that one connection and logs, when the answer itself fails, instead of rejecting', async () => {
    const logger = { error: jest.fn() } as unknown as Logger;
    const reply = { raw: { destroy: jest.fn() } };
    const failure = Object.assign(new TypeError('Invalid character in header content ["location"]'), { code: 'ERR_INVALID_CHAR' });

    await expect(answerOrClose(reply, logger, () => Promise.reject(failure))).resolves.toBeUndefined();

    expect(reply.raw.destroy).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith({ err: failure }, expect.stringContaining('connection is closed'));
  });

  it('leaves the connection alone when the answer goes out', async () => {
    const reply = { raw: { destroy: jest.fn() } };
    await answerOrClose(reply, new Logger('test'), () => undefined);
    expect(reply.raw.destroy).not.toHaveBeenCalled();
  });
});
