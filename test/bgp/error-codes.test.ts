/** The NOTIFICATION code and subcode constants are the IANA numbers, each with its registry name. */
import { expect, test } from 'bun:test';
import {
  CeaseSubcode,
  ErrorCode,
  FsmSubcode,
  HeaderSubcode,
  notificationCodeLabel,
  notificationName,
  OpenSubcode,
  UpdateSubcode,
} from '../../agent/bgp/wire/index.ts';

test('codes', () => {
  expect(ErrorCode).toEqual({
    MessageHeader: 1,
    OpenMessage: 2,
    UpdateMessage: 3,
    HoldTimerExpired: 4,
    FiniteStateMachine: 5,
    Cease: 6,
    RouteRefresh: 7,
    SendHoldTimerExpired: 8,
  });
  expect(notificationName(ErrorCode.SendHoldTimerExpired, 0)).toBe('Send Hold Timer Expired');
  expect(notificationName(9, 0)).toBe('Code 9');
  expect(notificationName(ErrorCode.Cease, 99)).toBe('Cease/Subcode 99');
  expect(notificationCodeLabel(ErrorCode.UpdateMessage)).toBe('update_message_error');
  expect(notificationCodeLabel(42)).toBe('code_42');
});

test.each([
  [
    ErrorCode.MessageHeader,
    HeaderSubcode.ConnectionNotSynchronized,
    'Message Header Error/Connection Not Synchronized',
  ],
  [ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength, 'Message Header Error/Bad Message Length'],
  [ErrorCode.MessageHeader, HeaderSubcode.BadMessageType, 'Message Header Error/Bad Message Type'],
  [ErrorCode.OpenMessage, OpenSubcode.Unspecific, 'OPEN Message Error'],
  [ErrorCode.OpenMessage, OpenSubcode.UnsupportedVersion, 'OPEN Message Error/Unsupported Version Number'],
  [ErrorCode.OpenMessage, OpenSubcode.BadPeerAS, 'OPEN Message Error/Bad Peer AS'],
  [ErrorCode.OpenMessage, OpenSubcode.BadBGPIdentifier, 'OPEN Message Error/Bad BGP Identifier'],
  [
    ErrorCode.OpenMessage,
    OpenSubcode.UnsupportedOptionalParameter,
    'OPEN Message Error/Unsupported Optional Parameter',
  ],
  [ErrorCode.OpenMessage, OpenSubcode.UnacceptableHoldTime, 'OPEN Message Error/Unacceptable Hold Time'],
  [ErrorCode.OpenMessage, OpenSubcode.UnsupportedCapability, 'OPEN Message Error/Unsupported Capability'],
  [
    ErrorCode.UpdateMessage,
    UpdateSubcode.MalformedAttributeList,
    'UPDATE Message Error/Malformed Attribute List',
  ],
  [
    ErrorCode.UpdateMessage,
    UpdateSubcode.UnrecognizedWellKnownAttribute,
    'UPDATE Message Error/Unrecognized Well-known Attribute',
  ],
  [
    ErrorCode.UpdateMessage,
    UpdateSubcode.MissingWellKnownAttribute,
    'UPDATE Message Error/Missing Well-known Attribute',
  ],
  [ErrorCode.UpdateMessage, UpdateSubcode.AttributeFlagsError, 'UPDATE Message Error/Attribute Flags Error'],
  [
    ErrorCode.UpdateMessage,
    UpdateSubcode.AttributeLengthError,
    'UPDATE Message Error/Attribute Length Error',
  ],
  [ErrorCode.UpdateMessage, UpdateSubcode.InvalidOrigin, 'UPDATE Message Error/Invalid ORIGIN Attribute'],
  [ErrorCode.UpdateMessage, UpdateSubcode.InvalidNextHop, 'UPDATE Message Error/Invalid NEXT_HOP Attribute'],
  [
    ErrorCode.UpdateMessage,
    UpdateSubcode.OptionalAttributeError,
    'UPDATE Message Error/Optional Attribute Error',
  ],
  [ErrorCode.UpdateMessage, UpdateSubcode.InvalidNetworkField, 'UPDATE Message Error/Invalid Network Field'],
  [ErrorCode.UpdateMessage, UpdateSubcode.MalformedASPath, 'UPDATE Message Error/Malformed AS_PATH'],
  [ErrorCode.FiniteStateMachine, FsmSubcode.Unspecified, 'Finite State Machine Error'],
  [
    ErrorCode.FiniteStateMachine,
    FsmSubcode.UnexpectedInOpenSent,
    'Finite State Machine Error/Receive Unexpected Message in OpenSent State',
  ],
  [
    ErrorCode.FiniteStateMachine,
    FsmSubcode.UnexpectedInOpenConfirm,
    'Finite State Machine Error/Receive Unexpected Message in OpenConfirm State',
  ],
  [
    ErrorCode.FiniteStateMachine,
    FsmSubcode.UnexpectedInEstablished,
    'Finite State Machine Error/Receive Unexpected Message in Established State',
  ],
  [ErrorCode.Cease, CeaseSubcode.MaximumPrefixes, 'Cease/Maximum Number of Prefixes Reached'],
  [ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown, 'Cease/Administrative Shutdown'],
  [ErrorCode.Cease, CeaseSubcode.PeerDeconfigured, 'Cease/Peer De-configured'],
  [ErrorCode.Cease, CeaseSubcode.AdministrativeReset, 'Cease/Administrative Reset'],
  [ErrorCode.Cease, CeaseSubcode.ConnectionRejected, 'Cease/Connection Rejected'],
  [ErrorCode.Cease, CeaseSubcode.OtherConfigurationChange, 'Cease/Other Configuration Change'],
  [ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution, 'Cease/Connection Collision Resolution'],
  [ErrorCode.Cease, CeaseSubcode.OutOfResources, 'Cease/Out of Resources'],
  [ErrorCode.Cease, CeaseSubcode.HardReset, 'Cease/Hard Reset'],
  [ErrorCode.Cease, CeaseSubcode.BFDDown, 'Cease/BFD Down'],
])('%d/%d is %s', (code, subcode, name) => {
  expect(notificationName(code, subcode)).toBe(name);
});
