package server

type blockRegistry struct{ s *Server }

func (r *blockRegistry) init(s *Server) { r.s = s }
