/**
 * Sobol' sequence: unscrambled points equal SciPy's, the scrambling arithmetic equals SciPy's, and
 * scrambled points keep the stratification that makes the sequence worth using.
 *
 * Fixtures were generated once with SciPy 1.10.1 (Debian python3-scipy), `scipy.stats.qmc.Sobol`
 * with the default 30 bits; the tests never call Python. Every assert.ok carries a message: without one, a
 * failing assert.ok makes Node parse the test source to describe the expression, which under tsx can take
 * minutes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  SOBOL_BITS,
  SOBOL_MAX_DIMENSION,
  SOBOL_MAX_POINTS,
  SobolSequence,
  linearMatrixScramble,
  sobolDirectionNumbers,
  sobolScramble,
} from '../../src/samplers/sobol.js';

/** `Sobol(1, scramble=False).random(64) * 64`: point i is row i, coordinates k/64. */
const FIRST_64_D1 = `
0
32
48
16
24
56
40
8
12
44
60
28
20
52
36
4
6
38
54
22
30
62
46
14
10
42
58
26
18
50
34
2
3
35
51
19
27
59
43
11
15
47
63
31
23
55
39
7
5
37
53
21
29
61
45
13
9
41
57
25
17
49
33
1
`;
/** `Sobol(2, scramble=False).random(64) * 64`: point i is row i, coordinates k/64. */
const FIRST_64_D2 = `
0 0
32 32
48 16
16 48
24 24
56 56
40 8
8 40
12 20
44 52
60 4
28 36
20 12
52 44
36 28
4 60
6 30
38 62
54 14
22 46
30 6
62 38
46 22
14 54
10 10
42 42
58 26
26 58
18 18
50 50
34 2
2 34
3 17
35 49
51 1
19 33
27 9
59 41
43 25
11 57
15 5
47 37
63 21
31 53
23 29
55 61
39 13
7 45
5 15
37 47
53 31
21 63
29 23
61 55
45 7
13 39
9 27
41 59
57 11
25 43
17 3
49 35
33 19
1 51
`;
/** `Sobol(5, scramble=False).random(64) * 64`: point i is row i, coordinates k/64. */
const FIRST_64_D5 = `
0 0 0 0 0
32 32 32 32 32
48 16 16 16 48
16 48 48 48 16
24 24 40 56 24
56 56 8 24 56
40 8 56 40 40
8 40 24 8 8
12 20 60 28 36
44 52 28 60 4
60 4 44 12 20
28 36 12 44 52
20 12 20 36 60
52 44 52 4 28
36 28 4 52 12
4 60 36 20 44
6 30 30 42 18
38 62 62 10 50
54 14 14 58 34
22 46 46 26 2
30 6 54 18 10
62 38 22 50 42
46 22 38 2 58
14 54 6 34 26
10 10 34 54 54
42 42 2 22 22
58 26 50 38 6
26 58 18 6 38
18 18 10 14 46
50 50 42 46 14
34 2 26 30 30
2 34 58 62 62
3 17 45 35 9
35 49 13 3 41
51 1 61 51 57
19 33 29 19 25
27 9 5 27 17
59 41 37 59 49
43 25 21 11 33
11 57 53 43 1
15 5 17 63 45
47 37 49 31 13
63 21 1 47 29
31 53 33 15 61
23 29 57 7 53
55 61 25 39 21
39 13 41 23 5
7 45 9 55 37
5 15 51 9 27
37 47 19 41 59
53 31 35 25 43
21 63 3 57 11
29 23 27 49 3
61 55 59 17 35
45 7 11 33 51
13 39 43 1 19
9 27 15 21 63
41 59 47 53 31
57 11 31 5 15
25 43 63 37 47
17 3 39 45 39
49 35 7 13 7
33 19 55 61 23
1 51 23 29 55
`;
/** `Sobol(40, scramble=False).random(64) * 64`: point i is row i, coordinates k/64. */
const FIRST_64_D40 = `
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32
48 16 16 16 48 48 16 48 48 48 48 48 16 16 48 16 48 16 48 16 16 48 16 16 16 48 16 48 16 48 16 16 16 48 48 48 16 16 16 16
16 48 48 48 16 16 48 16 16 16 16 16 48 48 16 48 16 48 16 48 48 16 48 48 48 16 48 16 48 16 48 48 48 16 16 16 48 48 48 48
24 24 40 56 24 8 24 56 56 40 56 24 24 40 24 56 24 56 56 8 8 8 24 56 56 56 24 40 8 8 24 8 56 56 40 40 40 56 24 56
56 56 8 24 56 40 56 24 24 8 24 56 56 8 56 24 56 24 24 40 40 40 56 24 24 24 56 8 40 40 56 40 24 24 8 8 8 24 56 24
40 8 56 40 40 56 8 8 8 24 8 40 8 56 40 40 40 40 8 24 24 56 8 40 40 8 8 24 24 56 8 24 40 8 24 24 56 40 8 40
8 40 24 8 8 24 40 40 40 56 40 8 40 24 8 8 8 8 40 56 56 24 40 8 8 40 40 56 56 24 40 56 8 40 56 56 24 8 40 8
12 20 60 28 36 20 28 60 60 20 44 4 60 60 52 60 52 52 60 20 12 44 12 60 28 4 36 12 44 60 28 52 4 60 36 28 12 52 20 36
44 52 28 60 4 52 60 28 28 52 12 36 28 28 20 28 20 20 28 52 44 12 44 28 60 36 4 44 12 28 60 20 36 28 4 60 44 20 52 4
60 4 44 12 20 36 12 12 12 36 28 52 44 44 4 44 4 36 12 4 28 28 28 44 12 52 52 60 60 12 12 36 20 12 20 44 28 36 4 52
28 36 12 44 52 4 44 44 44 4 60 20 12 12 36 12 36 4 44 36 60 60 60 12 44 20 20 28 28 44 44 4 52 44 52 12 60 4 36 20
20 12 20 36 60 28 4 4 4 60 20 28 36 20 44 4 44 12 4 28 4 36 20 4 36 60 60 36 36 52 4 60 60 4 12 52 36 12 12 28
52 44 52 4 28 60 36 36 36 28 52 60 4 52 12 36 12 44 36 60 36 4 52 36 4 28 28 4 4 20 36 28 28 36 44 20 4 44 44 60
36 28 4 52 12 44 20 52 52 12 36 44 52 4 28 20 28 28 52 12 20 20 4 20 52 12 44 20 52 4 20 44 44 52 60 4 52 28 28 12
4 60 36 20 44 12 52 20 20 44 4 12 20 36 60 52 60 60 20 44 52 52 36 52 20 44 12 52 20 36 52 12 12 20 28 36 20 60 60 44
6 30 30 42 18 62 34 54 30 10 6 26 42 42 22 2 50 38 50 2 46 58 38 38 34 10 10 54 14 22 26 22 6 58 30 62 18 2 2 58
38 62 62 10 50 30 2 22 62 42 38 58 10 10 54 34 18 6 18 34 14 26 6 6 2 42 42 22 46 54 58 54 38 26 62 30 50 34 34 26
54 14 14 58 34 14 50 6 46 58 54 42 58 58 38 18 2 54 2 18 62 10 54 54 50 58 26 6 30 38 10 6 22 10 46 14 2 18 18 42
22 46 46 26 2 46 18 38 14 26 22 10 26 26 6 50 34 22 34 50 30 42 22 22 18 26 58 38 62 6 42 38 54 42 14 46 34 50 50 10
30 6 54 18 10 54 58 14 38 34 62 2 50 2 14 58 42 30 10 10 38 50 62 30 26 50 18 30 6 30 2 30 62 2 54 22 58 58 26 2
62 38 22 50 42 22 26 46 6 2 30 34 18 34 46 26 10 62 42 42 6 18 30 62 58 18 50 62 38 62 34 62 30 34 22 54 26 26 58 34
46 22 38 2 58 6 42 62 22 18 14 50 34 18 62 42 26 14 58 26 54 2 46 14 10 2 2 46 22 46 18 14 46 50 6 38 42 42 10 18
14 54 6 34 26 38 10 30 54 50 46 18 2 50 30 10 58 46 26 58 22 34 14 46 42 34 34 14 54 14 50 46 14 18 38 6 10 10 42 50
10 10 34 54 54 42 62 10 34 30 42 30 22 22 34 62 6 18 14 22 34 22 42 26 62 14 46 58 34 42 6 34 2 6 58 34 30 54 22 30
42 42 2 22 22 10 30 42 2 62 10 62 54 54 2 30 38 50 46 54 2 54 10 58 30 46 14 26 2 10 38 2 34 38 26 2 62 22 54 62
58 26 50 38 6 26 46 58 18 46 26 46 6 6 18 46 54 2 62 6 50 38 58 10 46 62 62 10 50 26 22 50 18 54 10 18 14 38 6 14
26 58 18 6 38 58 14 26 50 14 58 14 38 38 50 14 22 34 30 38 18 6 26 42 14 30 30 42 18 58 54 18 50 22 42 50 46 6 38 46
18 18 10 14 46 34 38 50 26 54 18 6 14 62 58 6 30 42 54 30 42 30 50 34 6 54 54 18 42 34 30 42 58 62 18 10 54 14 14 38
50 50 42 46 14 2 6 18 58 22 50 38 46 30 26 38 62 10 22 62 10 62 18 2 38 22 22 50 10 2 62 10 26 30 50 42 22 46 46 6
34 2 26 30 30 18 54 2 42 6 34 54 30 46 10 22 46 58 6 14 58 46 34 50 22 6 38 34 58 18 14 58 42 14 34 58 38 30 30 54
2 34 58 62 62 50 22 34 10 38 2 22 62 14 42 54 14 26 38 46 26 14 2 18 54 38 6 2 26 50 46 26 10 46 2 26 6 62 62 22
3 17 45 35 9 59 51 43 63 3 25 61 29 63 63 7 11 3 27 33 21 45 27 49 11 15 11 17 9 47 47 33 63 15 63 39 49 51 5 29
35 49 13 3 41 27 19 11 31 35 57 29 61 31 31 39 43 35 59 1 53 13 59 17 43 47 43 49 41 15 15 1 31 47 31 7 17 19 37 61
51 1 61 51 57 11 35 27 15 51 41 13 13 47 15 23 59 19 43 49 5 29 11 33 27 63 27 33 25 31 63 49 47 63 15 23 33 35 21 13
19 33 29 19 25 43 3 59 47 19 9 45 45 15 47 55 27 51 11 17 37 61 43 1 59 31 59 1 57 63 31 17 15 31 47 55 1 3 53 45
27 9 5 27 17 51 43 19 7 43 33 37 5 23 39 63 19 59 35 41 29 37 3 9 51 55 19 57 1 39 55 41 7 55 23 15 25 11 29 37
59 41 37 59 49 19 11 51 39 11 1 5 37 55 7 31 51 27 3 9 61 5 35 41 19 23 51 25 33 7 23 9 39 23 55 47 57 43 61 5
43 25 21 11 33 3 59 35 55 27 17 21 21 7 23 47 35 43 19 57 13 21 19 25 35 7 3 9 17 23 39 57 23 7 39 63 9 27 13 53
11 57 53 43 1 35 27 3 23 59 49 53 53 39 55 15 3 11 51 25 45 53 51 57 3 39 35 41 49 55 7 25 55 39 7 31 41 59 45 21
15 5 17 63 45 47 47 23 3 23 53 57 33 3 11 59 63 55 39 53 25 1 23 13 23 11 47 29 37 19 51 21 59 51 27 59 61 7 17 57
47 37 49 31 13 15 15 55 35 55 21 25 1 35 43 27 31 23 7 21 57 33 55 45 55 43 15 61 5 51 19 53 27 19 59 27 29 39 49 25
63 21 1 47 29 31 63 39 51 39 5 9 49 19 59 43 15 39 23 37 9 49 7 29 7 59 63 45 53 35 35 5 43 3 43 11 45 23 1 41
31 53 33 15 61 63 31 7 19 7 37 41 17 51 27 11 47 7 55 5 41 17 39 61 39 27 31 13 21 3 3 37 11 35 11 43 13 55 33 9
23 29 57 7 53 39 55 47 59 63 13 33 57 43 19 3 39 15 31 61 17 9 15 53 47 51 55 53 45 27 43 29 3 11 51 19 21 63 9 1
55 61 25 39 21 7 23 15 27 31 45 1 25 11 51 35 7 47 63 29 49 41 47 21 15 19 23 21 13 59 11 61 35 43 19 51 53 31 41 33
39 13 41 23 5 23 39 31 11 15 61 17 41 59 35 19 23 31 47 45 1 57 31 37 63 3 39 5 61 43 59 13 19 59 3 35 5 47 25 17
7 45 9 55 37 55 7 63 43 47 29 49 9 27 3 51 55 63 15 13 33 25 63 5 31 35 7 37 29 11 27 45 51 27 35 3 37 15 57 49
5 15 51 9 27 5 17 29 33 9 31 39 55 21 41 5 57 37 41 35 59 23 61 23 41 5 1 39 7 57 53 55 57 53 33 25 35 49 7 39
37 47 19 41 59 37 49 61 1 41 63 7 23 53 9 37 25 5 9 3 27 55 29 55 9 37 33 7 39 25 21 23 25 21 1 57 3 17 39 7
53 31 35 25 43 53 1 45 17 57 47 23 39 5 25 21 9 53 25 51 43 39 45 7 57 53 17 23 23 9 37 39 41 5 17 41 51 33 23 55
21 63 3 57 11 21 33 13 49 25 15 55 7 37 57 53 41 21 57 19 11 7 13 39 25 21 49 55 55 41 5 7 9 37 49 9 19 1 55 23
29 23 27 49 3 13 9 37 25 33 39 63 47 61 49 61 33 29 17 43 51 31 37 47 17 61 25 15 15 49 45 63 1 13 9 49 11 9 31 31
61 55 59 17 35 45 41 5 57 1 7 31 15 29 17 29 1 61 49 11 19 63 5 15 49 29 57 47 47 17 13 31 33 45 41 17 43 41 63 63
45 7 11 33 51 61 25 21 41 17 23 15 63 45 1 45 17 13 33 59 35 47 53 63 1 13 9 63 31 1 61 47 17 61 57 1 27 25 15 15
13 39 43 1 19 29 57 53 9 49 55 47 31 13 33 13 49 45 1 27 3 15 21 31 33 45 41 31 63 33 29 15 49 29 25 33 59 57 47 47
9 27 15 21 63 17 13 33 29 29 51 35 11 41 29 57 13 17 21 55 55 59 49 43 53 1 37 43 43 5 41 3 61 9 5 5 47 5 19 3
41 59 47 53 31 49 45 1 61 61 19 3 43 9 61 25 45 49 53 23 23 27 17 11 21 33 5 11 11 37 9 35 29 41 37 37 15 37 51 35
57 11 31 5 15 33 29 17 45 45 3 19 27 57 45 41 61 1 37 39 39 11 33 59 37 49 53 27 59 53 57 19 45 57 53 53 63 21 3 19
25 43 63 37 47 1 61 49 13 13 35 51 59 25 13 9 29 33 5 7 7 43 1 27 5 17 21 59 27 21 25 51 13 25 21 21 31 53 35 51
17 3 39 45 39 25 21 25 37 53 11 59 19 1 5 1 21 41 45 63 63 51 41 19 13 57 61 3 35 13 49 11 5 49 45 45 7 61 11 59
49 35 7 13 7 57 53 57 5 21 43 27 51 33 37 33 53 9 13 31 31 19 9 51 45 25 29 35 3 45 17 43 37 17 13 13 39 29 43 27
33 19 55 61 23 41 5 41 21 5 59 11 3 17 53 17 37 57 29 47 47 3 57 3 29 9 45 51 51 61 33 27 21 1 29 29 23 45 27 43
1 51 23 29 55 9 37 9 53 37 27 43 35 49 21 49 5 25 61 15 15 35 25 35 61 41 13 19 19 29 1 59 53 33 61 61 55 13 59 11
`;
/** `Sobol(d, scramble=False)`, `fast_forward(i)`, then `random(1)`: point i. */
const LARGE_INDEX_POINTS: Record<number, Record<number, number[]>> = {
  1: {
    1000: [0.2197265625],
    1048579: [0.2500014305114746],
  },
  2: {
    // Computed with fast_forward in SciPy for d = 2 only (fast_forward to 2^30 - 1 takes seconds per dimension).
    536883257: [0.6409301785752177, 0.5799601236358285],
    1073741823: [9.313225746154785e-10, 0.7999999998137355],
    1000: [0.2197265625, 0.0966796875],
    1048579: [0.2500014305114746, 0.718757152557373],
  },
  5: {
    1000: [0.2197265625, 0.0966796875, 0.5185546875, 0.6767578125, 0.2802734375],
    1048579: [0.2500014305114746, 0.718757152557373, 0.42957258224487305, 0.08344602584838867, 0.8972315788269043],
  },
  40: {
    1000: [
      0.2197265625, 0.0966796875, 0.5185546875, 0.6767578125, 0.2802734375, 0.9072265625, 0.0458984375, 0.8994140625, 0.5009765625,
      0.0693359375, 0.0849609375, 0.2548828125, 0.1611328125, 0.3837890625, 0.1435546875, 0.3701171875, 0.7197265625, 0.3447265625,
      0.9912109375, 0.7255859375, 0.5224609375, 0.5498046875, 0.9501953125, 0.5400390625, 0.5830078125, 0.9072265625, 0.0400390625,
      0.9794921875, 0.0595703125, 0.3408203125, 0.1474609375, 0.1455078125, 0.2958984375, 0.5927734375, 0.8017578125, 0.7705078125,
      0.8486328125, 0.8310546875, 0.3076171875, 0.4794921875,
    ],
    1048579: [
      0.2500014305114746, 0.718757152557373, 0.42957258224487305, 0.08344602584838867, 0.8972315788269043, 0.6386866569519043,
      0.0395359992980957, 0.33574819564819336, 0.8978743553161621, 0.7647624015808105, 0.3767886161804199, 0.02537679672241211,
      0.8055739402770996, 0.7661919593811035, 0.40020322799682617, 0.8031716346740723, 0.16617059707641602, 0.03928232192993164,
      0.22495126724243164, 0.3223233222961426, 0.8522162437438965, 0.8947110176086426, 0.5994601249694824, 0.44689035415649414,
      0.9993996620178223, 0.3359522819519043, 0.13289594650268555, 0.12728452682495117, 0.08176469802856445, 0.16673994064331055,
      0.737938404083252, 0.9925971031188965, 0.9195418357849121, 0.20190191268920898, 0.9903855323791504, 0.9410662651062012,
      0.005910396575927734, 0.4527592658996582, 0.6304020881652832, 0.5938553810119629,
    ],
  },
};
/** Coordinates 1100..1110 (the last ones) of point 12345 of `Sobol(1111, scramble=False)`. */
const D1111_POINT_12345_TAIL = [
  0.16400146484375, 0.42034912109375, 0.36883544921875, 0.22137451171875, 0.59466552734375, 0.21014404296875, 0.00164794921875,
  0.12420654296875, 0.33026123046875, 0.27191162109375, 0.43109130859375,
];
/** Rows of SciPy's `ltm` (np.tril of rng.integers(0, 2, (3, 30, 30)), default_rng(20240601)), unit diagonal, as bitmasks. */
const LMS_MATRIX_ROWS = [
  [
    536870912, 268435456, 939524096, 201326592, 234881024, 889192448, 394264576, 121634816, 580911104, 911212544, 539492352, 340000768,
    607518720, 57081856, 98467840, 38715392, 966107136, 258084864, 258156544, 632601600, 399217152, 210312448, 704559232, 993719104,
    916081824, 171638000, 142736520, 811908804, 43361210, 611759507,
  ],
  [
    536870912, 268435456, 939524096, 67108864, 436207616, 184549376, 411041792, 46137344, 446693376, 256901120, 753401856, 621543424,
    219807744, 1006436352, 13271040, 999866368, 677683200, 817246208, 689723392, 587279360, 374222336, 142351616, 242046080, 344953152,
    829970976, 498614928, 223779384, 253380060, 212457758, 539005601,
  ],
  [
    536870912, 805306368, 939524096, 738197504, 973078528, 117440512, 578813952, 1061158912, 236978176, 126877696, 316145664, 193200128,
    868352000, 884932608, 549421056, 814465024, 661561344, 294105088, 92653568, 108483584, 226932224, 726576896, 1065797504, 1068538688,
    203829088, 889055184, 958174040, 202812164, 561994802, 52140783,
  ],
];
/** `_sv` of `Sobol(3, scramble=False)` after SciPy's `_cscramble(3, 30, ltm, sv)` with the matrices above. */
const LMS_SCRAMBLED_DIRECTION_NUMBERS = [
  [
    691676389, 429138532, 234895832, 131505953, 49371762, 29474496, 10528682, 5626501, 2825429, 1221875, 574448, 517255, 252657, 76554,
    59103, 16504, 11487, 6109, 3516, 1341, 582, 323, 191, 84, 50, 19, 10, 4, 3, 1,
  ],
  [
    671972385, 850144849, 599135679, 1024017681, 729561765, 818554089, 539919209, 1071594579, 673467794, 848709342, 596701178, 1027202464,
    727161178, 821287656, 537529131, 1072470673, 671959585, 850133434, 599141525, 1024025172, 729550492, 818546813, 539932911, 1071585464,
    673479611, 848718082, 596694775, 1027209946, 727166280, 821294664,
  ],
  [
    1053024730, 612937986, 338645812, 1001574190, 689084207, 496132134, 1022633216, 630501339, 401658503, 958591241, 684397424, 503479097,
    1053848377, 615416186, 337396331, 1001350222, 691208297, 497706356, 1021599592, 632324241, 398642163, 960295588, 686315215, 507244399,
    1053019676, 612934339, 338649731, 1001581554, 689081326, 496129669,
  ],
];

function parseGrid(text: string): number[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map((k) => Number(k) / 64));
}

const FIRST_64: Record<number, string> = { 1: FIRST_64_D1, 2: FIRST_64_D2, 5: FIRST_64_D5, 40: FIRST_64_D40 };

/** Index of the interval [k/2^m, (k+1)/2^m) holding x. */
function stratum(x: number, m: number): number {
  return Math.floor(x * 2 ** m);
}

describe('SobolSequence, unscrambled', () => {
  for (const d of [1, 2, 5, 40]) {
    it(`equals scipy.stats.qmc.Sobol(${d}, scramble=False) on the first 64 points`, () => {
      const expected = parseGrid(FIRST_64[d]);
      assert.equal(expected.length, 64);
      assert.equal(expected[0].length, d);
      const sobol = new SobolSequence(d, { scramble: false });
      assert.deepEqual(sobol.points(0, 64), expected);
    });

    it(`equals SciPy at large indices in d=${d}`, () => {
      const sobol = new SobolSequence(d, { scramble: false });
      for (const [index, expected] of Object.entries(LARGE_INDEX_POINTS[d])) {
        assert.deepEqual(sobol.point(Number(index)), expected, `point ${index}`);
      }
    });
  }

  it('equals SciPy in the last supported dimensions (checks the whole direction-number table)', () => {
    const sobol = new SobolSequence(SOBOL_MAX_DIMENSION, { scramble: false });
    assert.equal(SOBOL_MAX_DIMENSION, 1111);
    assert.deepEqual(sobol.point(12345).slice(1100), D1111_POINT_12345_TAIL);
  });

  it('gives the same point whatever order points are asked for (random access)', () => {
    const sobol = new SobolSequence(7, { scramble: false });
    const forward = sobol.points(0, 300);
    for (const i of [299, 17, 0, 256, 1, 128]) assert.deepEqual(sobol.point(i), forward[i]);
    for (let d = 0; d < 7; d++) assert.equal(sobol.coordinate(123, d), forward[123][d]);
  });

  it('has coordinate sets that do not depend on the dimension count', () => {
    const small = new SobolSequence(3, { scramble: false });
    const large = new SobolSequence(40, { scramble: false });
    for (const i of [0, 5, 99, 4097]) assert.deepEqual(large.point(i).slice(0, 3), small.point(i));
  });

  it('builds direction numbers with m_k odd and below 2^k (k = 1..30)', () => {
    for (const d of [0, 1, 2, 100, SOBOL_MAX_DIMENSION - 1]) {
      const v = sobolDirectionNumbers(d);
      assert.equal(v.length, SOBOL_BITS);
      v.forEach((vk, k) => {
        const m = vk / 2 ** (SOBOL_BITS - 1 - k);
        assert.ok(Number.isInteger(m) && m % 2 === 1 && m < 2 ** (k + 1), `dimension ${d}, m_${k + 1} = ${m}`);
      });
    }
  });
});

describe('SobolSequence, scrambled', () => {
  it('applies the linear matrix scramble exactly as SciPy _cscramble does, given the same matrices', () => {
    for (let d = 0; d < 3; d++) {
      const scrambled = linearMatrixScramble(sobolDirectionNumbers(d), Uint32Array.from(LMS_MATRIX_ROWS[d]));
      assert.deepEqual([...scrambled], LMS_SCRAMBLED_DIRECTION_NUMBERS[d], `dimension ${d}`);
    }
  });

  it('draws lower-triangular, unit-diagonal matrices and 30-bit shifts', () => {
    for (const d of [0, 3, 39]) {
      const { matrixRows, shift } = sobolScramble(12345, d);
      assert.ok(Number.isInteger(shift) && shift >= 0 && shift < SOBOL_MAX_POINTS, `shift ${shift} is a 30-bit integer`);
      matrixRows.forEach((row, p) => {
        const diagonal = 2 ** (SOBOL_BITS - 1 - p);
        assert.ok(row & diagonal, `row ${p} has its diagonal bit`);
        assert.equal(row % diagonal, 0, `row ${p} uses no digit below the diagonal`);
        assert.ok(row < SOBOL_MAX_POINTS, `row ${p} fits in 30 bits`);
      });
    }
  });

  it('draws each coordinate its own scramble, the same for the same (seed, dimension)', () => {
    const shifts = new Set<number>();
    for (let d = 0; d < 8; d++) {
      const scramble = sobolScramble(31, d);
      assert.deepEqual(sobolScramble(31, d), scramble);
      shifts.add(scramble.shift);
      if (d > 0) assert.notDeepEqual([...scramble.matrixRows], [...sobolScramble(31, d - 1).matrixRows], `dimension ${d}`);
    }
    assert.equal(shifts.size, 8);
    assert.notDeepEqual(sobolScramble(32, 0), sobolScramble(31, 0));
  });

  it('keeps every 1-D projection of the first 2^m points stratified (one point per [k/2^m, (k+1)/2^m))', () => {
    for (const seed of [0, 1, 42, 2024, 987654321]) {
      const sobol = new SobolSequence(12, { seed });
      const points = sobol.points(0, 1024);
      for (let m = 0; m <= 10; m++) {
        const n = 2 ** m;
        for (let d = 0; d < 12; d++) {
          const strata = new Set(points.slice(0, n).map((p) => stratum(p[d], m)));
          assert.equal(strata.size, n, `seed ${seed}, dimension ${d}, first ${n} points`);
        }
      }
    }
  });

  it('keeps the 2-D net property of the first two coordinates (one point per elementary box)', () => {
    // Coordinates 1 and 2 of Sobol' form a (0, m, 2)-net: for a + b = m, every box
    // [i/2^a, (i+1)/2^a) x [j/2^b, (j+1)/2^b) holds exactly one of the first 2^m points.
    const m = 8;
    const points = new SobolSequence(2, { seed: 7 }).points(0, 2 ** m);
    for (let a = 0; a <= m; a++) {
      const boxes = new Set(points.map((p) => `${stratum(p[0], a)},${stratum(p[1], m - a)}`));
      assert.equal(boxes.size, 2 ** m, `boxes of 2^-${a} x 2^-${m - a}`);
    }
  });

  it('stays stratified in every aligned block of 2^m points, not only the first', () => {
    const points = new SobolSequence(4, { seed: 3 }).points(512, 256);
    for (let d = 0; d < 4; d++) assert.equal(new Set(points.map((p) => stratum(p[d], 8))).size, 256);
  });

  it('gives points in [0, 1) and the same points for the same seed', () => {
    const a = new SobolSequence(6, { seed: 99 }).points(0, 200);
    const b = new SobolSequence(6, { seed: 99 }).points(0, 200);
    assert.deepEqual(a, b);
    for (const p of a) for (const x of p) assert.ok(x >= 0 && x < 1, `coordinate ${x} is in [0, 1)`);
    assert.deepEqual(new SobolSequence(6, { seed: 99 }).point(1 << 29), new SobolSequence(6, { seed: 99 }).point(1 << 29));
  });

  it('gives different points for different seeds, and moves the first point off the origin', () => {
    const a = new SobolSequence(4, { seed: 1 });
    const b = new SobolSequence(4, { seed: 2 });
    for (const i of [0, 1, 2, 100]) assert.notDeepEqual(a.point(i), b.point(i));
    assert.ok(
      a.point(0).every((x) => x > 0),
      `point 0 = ${a.point(0)} is off the origin`,
    );
  });

  it('scrambles each coordinate independently of the dimension count', () => {
    const small = new SobolSequence(2, { seed: 5 });
    const large = new SobolSequence(30, { seed: 5 });
    for (const i of [0, 1, 77, 1000]) assert.deepEqual(large.point(i).slice(0, 2), small.point(i));
  });

  it('records its seed, and draws one from the OS when none is given', () => {
    assert.equal(new SobolSequence(2, { seed: 17 }).seed, 17);
    assert.equal(new SobolSequence(2, { scramble: false }).seed, null);
    const random = new SobolSequence(2);
    assert.ok(random.scrambled && Number.isInteger(random.seed), `seed ${random.seed} drawn for a scrambled sequence`);
  });
});

describe('SobolSequence, bad input', () => {
  it('rejects dimensions outside 1..1111 with a message naming the value and the range', () => {
    for (const d of [0, -1, 1.5, SOBOL_MAX_DIMENSION + 1, Number.NaN]) {
      assert.throws(
        () => new SobolSequence(d, { scramble: false }),
        (e: unknown) => {
          assert.ok(e instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(e)}`);
          assert.match(e.message, /dimension must be an integer from 1 to 1111/);
          assert.match(e.message, new RegExp(`got ${String(d).replace('.', '\\.')}`));
          return true;
        },
      );
    }
    assert.doesNotThrow(() => new SobolSequence(SOBOL_MAX_DIMENSION, { scramble: false }));
  });

  it('rejects indices outside 0..2^30-1', () => {
    const sobol = new SobolSequence(2, { seed: 1 });
    for (const i of [-1, 0.5, SOBOL_MAX_POINTS, Number.POSITIVE_INFINITY]) {
      assert.throws(() => sobol.point(i), InvalidArgumentError);
    }
    assert.doesNotThrow(() => sobol.point(SOBOL_MAX_POINTS - 1));
    assert.throws(() => sobol.points(SOBOL_MAX_POINTS - 1, 2), /start \+ count - 1/);
    assert.throws(() => sobol.coordinate(0, 2), /dimensionIndex must be an integer from 0 to 1, got 2/);
  });

  it('rejects a non-integer seed and a non-boolean scramble', () => {
    assert.throws(() => new SobolSequence(2, { seed: 1.5 }), /seed must be a safe integer, got 1\.5/);
    assert.throws(() => new SobolSequence(2, { scramble: 'yes' as unknown as boolean }), /scramble must be true or false, got "yes"/);
  });
});
