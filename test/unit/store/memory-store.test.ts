import { createMemoryStore } from '../../../src/store/memory-store';
import { storeContract } from '../../support/store-contract';

storeContract('in memory', async () => createMemoryStore());
