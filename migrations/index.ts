import { Init1795720852273 } from './1795720852273-Init.js';
import { IdempotencyKeys1795722032667 } from './1795722032667-IdempotencyKeys.js';
import { ListingIndexes1795722400000 } from './1795722400000-ListingIndexes.js';
import { TaskCounts1795722500000 } from './1795722500000-TaskCounts.js';
import { IdempotencyResultOnly1795800000000 } from './1795800000000-IdempotencyResultOnly.js';
import { TaskLimit1795900000000 } from './1795900000000-TaskLimit.js';
import { OrderAndSubtasks1796000000000 } from './1796000000000-OrderAndSubtasks.js';
import { ChangeSequence1796100000000 } from './1796100000000-ChangeSequence.js';
import { ParentSameUser1796200000000 } from './1796200000000-ParentSameUser.js';
import { ServerKeys1796300000000 } from './1796300000000-ServerKeys.js';
import { Lists1796400000000 } from './1796400000000-Lists.js';
import { Recurrence1796500000000 } from './1796500000000-Recurrence.js';
import { Invitations1796600000000 } from './1796600000000-Invitations.js';
import { SharedSync1796600000001 } from './1796600000001-SharedSync.js';
import { Assignee1796600000002 } from './1796600000002-Assignee.js';
import { Reminders1796600000003 } from './1796600000003-Reminders.js';
import { Channels1796700000000 } from './1796700000000-Channels.js';
import { CalDav1796700000001 } from './1796700000001-CalDav.js';
import { DavAlarms1796700000002 } from './1796700000002-DavAlarms.js';
import { ListTasksFirst1796700000004 } from './1796700000004-ListTasksFirst.js';
import { NotifyFlags1796700000005 } from './1796700000005-NotifyFlags.js';

// Every migration, in order. Listed explicitly (not globbed) so the app, the CLI data source
// and the tests load the very same classes, whether run from TypeScript or from dist/.
// `npm run migration:generate -- migrations/Name` writes a new file here: add its class to this list.
export const MIGRATIONS: Function[] = [
  Init1795720852273,
  IdempotencyKeys1795722032667,
  ListingIndexes1795722400000,
  TaskCounts1795722500000,
  IdempotencyResultOnly1795800000000,
  TaskLimit1795900000000,
  OrderAndSubtasks1796000000000,
  ChangeSequence1796100000000,
  ParentSameUser1796200000000,
  ServerKeys1796300000000,
  Lists1796400000000,
  Recurrence1796500000000,
  Invitations1796600000000,
  SharedSync1796600000001,
  Assignee1796600000002,
  Reminders1796600000003,
  Channels1796700000000,
  CalDav1796700000001,
  DavAlarms1796700000002,
  ListTasksFirst1796700000004,
  NotifyFlags1796700000005,
];
