-- ∂ILP task cyclic (test world, seed 0): learn table cyclic.
-- Reference program:
--   cyclic(X) :- inv1(X, X).
--   inv1(X, Y) :- edge(X, Y).
--   inv1(X, Y) :- edge(X, Z), inv1(Z, Y).
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('c0', 'c1'), ('c1', 'c2'), ('c2', 'c3'), ('c2', 'p2'), ('c3', 'c0'), ('n0', 'n2'), ('n1', 'n8'), ('n11', 'n10'), ('n11', 'n22'), ('n13', 'n1'), ('n13', 'n5'), ('n14', 'n7'), ('n15', 'n22'), ('n16', 'n2'), ('n18', 'n29'), ('n19', 'n17'), ('n2', 'n12'), ('n2', 'n18'), ('n2', 'n5'), ('n2', 'n8'), ('n20', 'n19'), ('n21', 'n6'), ('n22', 'n26'), ('n23', 'n14'), ('n27', 'n11'), ('n27', 'n12'), ('n27', 'n19'), ('n28', 'n10'), ('n28', 'n19'), ('n29', 'n25'), ('n29', 'n6'), ('n29', 'n9'), ('n3', 'n8'), ('n3', 'n9'), ('n4', 'n15'), ('n6', 'n10'), ('n6', 'n15'), ('n7', 'n19'), ('n8', 'n19'), ('n8', 'n3'), ('n9', 'n4'), ('p0', 'p1'), ('p1', 'c0'), ('p2', 'p3');
CREATE TABLE cyclic (x TEXT);
INSERT INTO cyclic VALUES ('c0'), ('c1'), ('c2'), ('c3'), ('n3'), ('n8');
