// The doctor: what a first release needs, checked without writing anything.
export { runDoctor, type DoctorOptions } from './doctor.js';
export {
  checkSigningPolicy,
  checkWorkflow,
  doctorReport,
  workflowPins,
  workflowPrefixOf,
  PUBLISH_WORKFLOW,
  PROMOTE_WORKFLOW,
  ABANDON_WORKFLOW,
  type DoctorCheck,
  type DoctorReport,
  type DoctorStatus,
} from './checks.js';
