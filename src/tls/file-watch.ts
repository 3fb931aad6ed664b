import fs from 'node:fs';
import path from 'node:path';

export interface MaterialWatch {
  readonly directories: readonly string[];
  close(): void;
}

/**
 * Watches the folders that hold the files, not the files: editors, `mv`, `cp` over a file and
 * Kubernetes-style `..data` symlink swaps all replace the file, which ends a watch on the file
 * itself. A symlinked file is also watched where it points to. Bursts of events (a write in
 * several steps, cert and key replaced one after the other) become one call after `debounceMs`.
 */
export function watchMaterialFiles(files: readonly string[], debounceMs: number, onChange: () => void, onError: (message: string) => void): MaterialWatch {
  const directories = new Set<string>();
  for (const file of files) {
    directories.add(path.dirname(file));
    try {
      directories.add(path.dirname(fs.realpathSync(file)));
    } catch {
      // A missing file shows up as a failed reload, with the reason; nothing to watch beyond its folder.
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };
  const watchers: fs.FSWatcher[] = [];
  for (const directory of directories) {
    try {
      const watcher = fs.watch(directory, { persistent: false }, schedule);
      watcher.on('error', (error) => {
        onError(`Stopped watching ${directory} for certificate changes (${error.message}); send SIGHUP to reload by hand.`);
        watcher.close();
      });
      watchers.push(watcher);
    } catch (error) {
      onError(`Cannot watch ${directory} for certificate changes (${(error as Error).message}); send SIGHUP to reload by hand.`);
    }
  }
  return {
    directories: [...directories],
    close() {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
