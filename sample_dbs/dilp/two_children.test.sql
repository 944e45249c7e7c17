-- ∂ILP task two_children (test world, seed 0): learn table two_children.
-- Reference program:
--   two_children(X) :- edge(X, Y), edge(X, Z), Y != Z.
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n0', 'n2'), ('n1', 'n8'), ('n11', 'n10'), ('n11', 'n22'), ('n13', 'n1'), ('n13', 'n5'), ('n13', 'n7'), ('n14', 'n7'), ('n15', 'n22'), ('n16', 'n2'), ('n18', 'n29'), ('n19', 'n17'), ('n2', 'n12'), ('n2', 'n18'), ('n2', 'n5'), ('n2', 'n8'), ('n20', 'n19'), ('n21', 'n24'), ('n21', 'n6'), ('n22', 'n26'), ('n23', 'n14'), ('n27', 'n11'), ('n27', 'n12'), ('n27', 'n19'), ('n28', 'n10'), ('n28', 'n19'), ('n29', 'n25'), ('n29', 'n6'), ('n29', 'n9'), ('n3', 'n8'), ('n3', 'n9'), ('n4', 'n15'), ('n5', 'n17'), ('n6', 'n10'), ('n6', 'n15'), ('n7', 'n19'), ('n8', 'n19'), ('n8', 'n3'), ('n9', 'n4');
CREATE TABLE two_children (x TEXT);
INSERT INTO two_children VALUES ('n11'), ('n13'), ('n2'), ('n21'), ('n27'), ('n28'), ('n29'), ('n3'), ('n6'), ('n8');
