// undici's index loads fetch, WebSocket, cookies and the rest of its web API when imported;
// the proxy needs the Agent, the Dispatcher base class and the TLS connector, so it imports
// just those modules (undici has no exports map) and takes their types from the package.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export default AgentClass;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import type { Dispatcher } from 'undici';
  const DispatcherClass: typeof Dispatcher;
  export default DispatcherClass;
}
declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const connectorFactory: typeof buildConnector;
  export default connectorFactory;
}
