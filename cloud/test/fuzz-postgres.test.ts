import { fuzzSuite } from './fuzz-suite';

fuzzSuite('postgres');
