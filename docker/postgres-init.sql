-- One database per service that has one (the subgraphs, the notifications worker), as in
-- production; created on the container's first start.
CREATE DATABASE users;
CREATE DATABASE catalog;
CREATE DATABASE orders;
CREATE DATABASE notifications;
