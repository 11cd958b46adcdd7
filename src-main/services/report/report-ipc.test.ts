import { describe, expect, it } from 'vitest';
import { MAX_REPORT_FILE_CHARS } from '../../../src-core/contracts/ipc-report';
import { createMemoryLogger } from '../../../src-core/logger';
import { createIpcDispatcher } from '../../ipc/dispatcher';
import { handlersWith } from '../../ipc/testing/test-handlers';
import { reportIpcHandlers, type ReportFile } from './report-ipc';

const via = { via: 'test' };
const good = { fileName: 'pipdesk-report-5-2026-01-05.html', kind: 'html', content: '<!doctype html>' };

function dispatcherWith(save: ((file: ReportFile) => Promise<boolean>) | undefined) {
  const saved: ReportFile[] = [];
  const logger = createMemoryLogger();
  const d = createIpcDispatcher(
    handlersWith(
      reportIpcHandlers(
        save === undefined
          ? undefined
          : async (file) => {
              saved.push(file);
              return save(file);
            },
        logger,
      ),
    ),
    logger,
  );
  return { d, saved, logger };
}

describe('report:save-file', () => {
  it('tells the web host page to download the file itself when main has no save dialog', async () => {
    const { d } = dispatcherWith(undefined);
    expect(await d.invoke('report:save-file', good, via)).toEqual({
      ok: true,
      value: { isHandled: false, isSaved: false },
    });
  });

  it('saves through the shell’s dialog, and says when the trader cancelled', async () => {
    const yes = dispatcherWith(() => Promise.resolve(true));
    expect(await yes.d.invoke('report:save-file', good, via)).toEqual({
      ok: true,
      value: { isHandled: true, isSaved: true },
    });
    expect(yes.saved).toEqual([good]);
    const no = dispatcherWith(() => Promise.resolve(false));
    expect(await no.d.invoke('report:save-file', { ...good, kind: 'csv', fileName: 'a b.csv' }, via)).toEqual(
      {
        ok: true,
        value: { isHandled: true, isSaved: false },
      },
    );
  });

  it('answers REPORT_SAVE_FAILED with the reason when the file cannot be written', async () => {
    const { d, logger } = dispatcherWith(() => Promise.reject(new Error('EACCES: permission denied')));
    const r = await d.invoke('report:save-file', good, via);
    expect(!r.ok && r.error.code).toBe('REPORT_SAVE_FAILED');
    expect(!r.ok && r.error.message).toContain('EACCES');
    expect(logger.records.some((e) => e.level === 'warn')).toBe(true);
  });

  it.each([
    ['a path', { ...good, fileName: '../../.bashrc.html' }],
    ['an absolute path', { ...good, fileName: '/etc/report.html' }],
    ['a Windows path', { ...good, fileName: 'C:\\Users\\x\\report.html' }],
    ['a dot-dot name', { ...good, fileName: 'report..html' }],
    ['a hidden file', { ...good, fileName: '.report.html' }],
    ['another extension', { ...good, fileName: 'report.exe' }],
    ['an unknown kind', { ...good, kind: 'pdf' }],
    ['content too large', { ...good, content: 'x'.repeat(MAX_REPORT_FILE_CHARS + 1) }],
    ['content not text', { ...good, content: 42 }],
    ['an extra field', { ...good, path: '/tmp/x.html' }],
    ['no request', undefined],
  ])('refuses %s without calling the dialog', async (_what, request) => {
    const { d, saved } = dispatcherWith(() => Promise.resolve(true));
    const r = await d.invoke('report:save-file', request, via);
    expect(!r.ok && r.error.code).toBe('BAD_REQUEST');
    expect(saved).toEqual([]);
  });
});
