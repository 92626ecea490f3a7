import { Logger } from '@nestjs/common';
import { ReadModelBehind } from '../reads/read-position';
import { answerOrClose, logFailure, toProblem } from './problem.filter';

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

describe('logging a failed request', () => {
  const logger = () => ({ error: jest.fn(), warn: jest.fn() }) as unknown as Logger & { error: jest.Mock; warn: jest.Mock };

  it('logs a 503 the service expects as one warning line, without the error and its stack', () => {
    const log = logger();
    const error = new ReadModelBehind(42n);
    logFailure(log, error, toProblem(error));
    expect(log.error).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledWith({ status: 503, code: 'read-model-behind', detail: error.message }, expect.any(String));
  });

  it('logs a bug with its error, and a refusal not at all', () => {
    const log = logger();
    const bug = new TypeError('undefined is not a function');
    logFailure(log, bug, toProblem(bug));
    expect(log.error).toHaveBeenCalledWith({ err: bug, status: 500 }, expect.any(String));
    logFailure(log, new Error('x'), { status: 404, detail: 'No action has that id.' });
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(log.warn).not.toHaveBeenCalled();
  });
});
