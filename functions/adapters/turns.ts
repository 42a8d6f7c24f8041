import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import { keys } from './keys.ts';

/** Round-robin turns: an ever-growing counter per name (the lifecycle uses `<department>#<level>`). */
export function turns(tableName: string) {
  return {
    async nextTurn(name: string): Promise<number> {
      const res = await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.turn(name),
          UpdateExpression: 'ADD #v :one',
          ExpressionAttributeNames: { '#v': 'value' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(res.Attributes!.value);
    },
  };
}

export type Turns = ReturnType<typeof turns>;
