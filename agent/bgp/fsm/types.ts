/** PURE. RFC 4271 §8 state, event and timer names, and the actions the session shell executes. */
export type StateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
export type TimerName = 'ConnectRetryTimer' | 'HoldTimer' | 'KeepaliveTimer' | 'IdleHoldTimer';

export interface FsmConfig {
  holdTimeSeconds: number;
  keepAliveTimeSeconds: number;
  connectRetryTimeSeconds: number;
  passive: boolean;
  /** First automatic-restart delay after a failure; doubles up to connectRetryTime. Default 1000. */
  idleHoldBaseMs?: number;
}

export interface FsmState {
  name: StateName;
  config: FsmConfig;
  /** RFC 4271 ConnectRetryCounter: consecutive failures; drives the backoff. */
  connectRetryCounter: number;
  /** ManualStop seen: no automatic restart. */
  stopped: boolean;
  negotiatedHoldTime?: number;
  keepaliveMs?: number;
  establishedAt?: number;
}

export type FsmEvent =
  | { type: 'ManualStart' }
  | { type: 'ManualStart_with_PassiveTcpEstablishment' }
  | { type: 'ManualStop'; notify?: { code: number; subcode: number; data?: Uint8Array } }
  | { type: 'ConnectRetryTimer_Expires' }
  | { type: 'HoldTimer_Expires' }
  | { type: 'KeepaliveTimer_Expires' }
  | { type: 'IdleHoldTimer_Expires' }
  /** RFC 9687: the peer has not read from us for SendHoldTime. */
  | { type: 'SendHoldTimer_Expires' }
  /** RFC 5882 §4.3: the path liveness detector (BFD) saw the path fail. */
  | { type: 'LivenessDown'; reason: string }
  | { type: 'Tcp_CR_Acked' }
  | { type: 'TcpConnectionConfirmed' }
  | { type: 'TcpConnectionFails' }
  | { type: 'BGPOpen'; holdTime: number }
  | { type: 'BGPHeaderErr'; code: number; subcode: number; data?: Uint8Array }
  | { type: 'BGPOpenMsgErr'; code: number; subcode: number; data?: Uint8Array }
  | { type: 'UpdateMsgErr'; code: number; subcode: number; data?: Uint8Array }
  | { type: 'OpenCollisionDump' }
  | { type: 'NotifMsgVerErr' }
  | { type: 'NotifMsg' }
  | { type: 'KeepAliveMsg' }
  | { type: 'UpdateMsg' }
  | { type: 'RouteRefreshMsg' };

export type FsmAction =
  | { type: 'connect' }
  | { type: 'sendOpen' }
  | { type: 'sendKeepalive' }
  | { type: 'sendNotification'; code: number; subcode: number; data?: Uint8Array }
  | { type: 'close' }
  | { type: 'startTimer'; timer: TimerName; ms: number }
  | { type: 'stopTimer'; timer: TimerName }
  | { type: 'established'; holdTime: number; keepaliveMs: number }
  | { type: 'down'; reason: string };

export interface StepResult {
  state: FsmState;
  actions: FsmAction[];
}
