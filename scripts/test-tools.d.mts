export interface InstallCommands {
  readonly debian: string;
  readonly fedora: string;
  readonly homebrew: string;
}
export interface TestTool {
  readonly name: string;
  readonly usedFor: string;
  readonly debianPackage: string;
  readonly install: InstallCommands;
}
type Env = Readonly<Record<string, string | undefined>>;
export declare const TEST_TOOLS: readonly TestTool[];
export declare function findOnPath(command: string, env: Env): string | undefined;
export declare function findPythonWithRequests(env: Env): string | undefined;
export declare function findChromium(env: Env): { path: string } | { problem: string } | undefined;
export declare function locateTestTools(env: Env): Array<{ tool: TestTool; path?: string; problem?: string }>;
export declare function installLine(tool: TestTool): string;
