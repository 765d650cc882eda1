/** Deployments the validation tests check: workloads wrapped as twin 1's deployment on node 2. */
import { deploymentProblems, type Deployment } from '../../src';

export interface WorkloadInput {
  name: string;
  type: string;
  data: Record<string, unknown>;
}

/** A deployment of twin 1 on node 2 holding `workloads` (version 0, no metadata, description or expiration). */
export const deploymentOf = (workloads: WorkloadInput[]): Deployment =>
  ({
    version: 0,
    twin_id: 1,
    node_id: 2,
    metadata: '',
    description: '',
    expiration: 0,
    workloads: workloads.map((w) => ({ version: 0, metadata: '', description: '', ...w })),
  }) as unknown as Deployment;

/** What a node would refuse in a deployment of `workloads`, each as `<path> <message>`. */
export const problemsOf = (...workloads: WorkloadInput[]): string[] =>
  deploymentProblems(deploymentOf(workloads)).map((p) => `${p.path} ${p.message}`);
