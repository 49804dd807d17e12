-- One database per subgraph, as in production; created on the container's first start.
CREATE DATABASE users;
CREATE DATABASE catalog;
CREATE DATABASE orders;
