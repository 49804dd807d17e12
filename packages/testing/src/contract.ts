import { readFileSync } from 'node:fs';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';

export type ContractFile = 'frontend' | 'admin' | 'partner';
export const contractFiles: ContractFile[] = ['frontend', 'admin', 'partner'];

/** The repo's client contract (contract/): every operation of shared/contract unchanged, plus ours (a test checks). */
export const contractDir = new URL('../../../contract/', import.meta.url);

export const readContract = (file: ContractFile) => readFileSync(new URL(`${file}.graphql`, contractDir), 'utf8');

/** One named operation of a contract file, as the client sends it. */
export function contractOperation(file: ContractFile, name: string): string {
  const definition = parse(readContract(file)).definitions.find(
    (node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION && node.name?.value === name,
  );
  if (!definition) throw new Error(`No operation ${name} in contract/${file}.graphql`);
  return print(definition);
}
