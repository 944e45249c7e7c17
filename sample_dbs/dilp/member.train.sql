-- ∂ILP task member (train world, seed 0): learn table member.
-- Reference program:
--   member(X, Y) :- value(Y, X).
--   member(X, Y) :- cons(Y, Z), member(X, Z).
CREATE TABLE cons (l TEXT, t TEXT);
INSERT INTO cons VALUES ('l0_0', 'l0_1'), ('l0_1', 'l0_2'), ('l0_2', 'l0_3'), ('l0_3', 'l0_4'), ('l0_4', 'nil'), ('l1_0', 'nil'), ('l2_0', 'nil'), ('l3_0', 'l3_1'), ('l3_1', 'l3_2'), ('l3_2', 'l3_3'), ('l3_3', 'nil'), ('l4_0', 'l4_1'), ('l4_1', 'l4_2'), ('l4_2', 'l4_3'), ('l4_3', 'nil'), ('l5_0', 'l5_1'), ('l5_1', 'nil');
CREATE TABLE value (l TEXT, x TEXT);
INSERT INTO value VALUES ('l0_0', 'd'), ('l0_1', 'c'), ('l0_2', 'b'), ('l0_3', 'b'), ('l0_4', 'a'), ('l1_0', 'a'), ('l2_0', 'e'), ('l3_0', 'e'), ('l3_1', 'c'), ('l3_2', 'd'), ('l3_3', 'e'), ('l4_0', 'd'), ('l4_1', 'c'), ('l4_2', 'c'), ('l4_3', 'e'), ('l5_0', 'e'), ('l5_1', 'd');
CREATE TABLE member (x TEXT, l TEXT);
INSERT INTO member VALUES ('a', 'l0_0'), ('a', 'l0_1'), ('a', 'l0_2'), ('a', 'l0_3'), ('a', 'l0_4'), ('a', 'l1_0'), ('b', 'l0_0'), ('b', 'l0_1'), ('b', 'l0_2'), ('b', 'l0_3'), ('c', 'l0_0'), ('c', 'l0_1'), ('c', 'l3_0'), ('c', 'l3_1'), ('c', 'l4_0'), ('c', 'l4_1'), ('c', 'l4_2'), ('d', 'l0_0'), ('d', 'l3_0'), ('d', 'l3_1'), ('d', 'l3_2'), ('d', 'l4_0'), ('d', 'l5_0'), ('d', 'l5_1'), ('e', 'l2_0'), ('e', 'l3_0'), ('e', 'l3_1'), ('e', 'l3_2'), ('e', 'l3_3'), ('e', 'l4_0'), ('e', 'l4_1'), ('e', 'l4_2'), ('e', 'l4_3'), ('e', 'l5_0');
