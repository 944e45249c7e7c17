-- ∂ILP task graph_colouring (test world, seed 0): learn table graph_colouring.
-- Reference program:
--   graph_colouring(X) :- edge(X, Y), colour(X, Z), colour(Y, Z).
CREATE TABLE colour (node TEXT, colour TEXT);
INSERT INTO colour VALUES ('n0', 'green'), ('n1', 'green'), ('n10', 'green'), ('n11', 'green'), ('n12', 'green'), ('n13', 'green'), ('n14', 'green'), ('n15', 'red'), ('n16', 'red'), ('n17', 'green'), ('n18', 'red'), ('n19', 'red'), ('n2', 'red'), ('n20', 'green'), ('n21', 'green'), ('n22', 'green'), ('n23', 'red'), ('n24', 'red'), ('n25', 'green'), ('n26', 'green'), ('n27', 'green'), ('n28', 'red'), ('n29', 'red'), ('n3', 'red'), ('n4', 'red'), ('n5', 'red'), ('n6', 'red'), ('n7', 'green'), ('n8', 'green'), ('n9', 'green');
CREATE TABLE red (colour TEXT);
INSERT INTO red VALUES ('red');
CREATE TABLE green (colour TEXT);
INSERT INTO green VALUES ('green');
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n0', 'n2'), ('n1', 'n8'), ('n11', 'n10'), ('n11', 'n22'), ('n13', 'n1'), ('n13', 'n5'), ('n13', 'n7'), ('n14', 'n7'), ('n15', 'n22'), ('n16', 'n2'), ('n18', 'n29'), ('n19', 'n17'), ('n2', 'n12'), ('n2', 'n18'), ('n2', 'n5'), ('n2', 'n8'), ('n20', 'n19'), ('n21', 'n24'), ('n21', 'n6'), ('n22', 'n26'), ('n23', 'n14'), ('n27', 'n11'), ('n27', 'n12'), ('n27', 'n19'), ('n28', 'n10'), ('n28', 'n19'), ('n29', 'n25'), ('n29', 'n6'), ('n29', 'n9'), ('n3', 'n8'), ('n3', 'n9'), ('n4', 'n15'), ('n5', 'n17'), ('n6', 'n10'), ('n6', 'n15'), ('n7', 'n19'), ('n8', 'n19'), ('n8', 'n3'), ('n9', 'n4');
CREATE TABLE graph_colouring (x TEXT);
INSERT INTO graph_colouring VALUES ('n1'), ('n11'), ('n13'), ('n14'), ('n16'), ('n18'), ('n2'), ('n22'), ('n27'), ('n28'), ('n29'), ('n4'), ('n6');
